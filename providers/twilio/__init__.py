"""Twilio: SMS in (TwiML answers, signatures) and out, status callbacks."""
