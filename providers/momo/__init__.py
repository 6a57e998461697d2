"""MTN Mobile Money (MoMo) Open API, Collections: request-to-pay, its callback and its status."""
