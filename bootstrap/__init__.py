"""One place that builds what every entry point needs: engine, Redis, queues, caches, providers."""
