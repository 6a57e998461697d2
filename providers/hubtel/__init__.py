"""Hubtel (Ghana): USSD."""
