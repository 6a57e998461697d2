"""Arkesel (Ghana): USSD."""
