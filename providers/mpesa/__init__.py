"""Safaricom M-Pesa Daraja: Lipa na M-Pesa Online (STK push), its callback and its status query."""
