"""Beem Africa (Tanzania): USSD."""
