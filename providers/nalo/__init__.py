"""Nalo Solutions (Ghana): USSD."""
