"""Background jobs on RQ. Jobs are plain functions taking ids; each re-reads the database."""
