"""Soko's speed pieces, in one place: code that does by hand what a library already does, because
a USSD hop does it thousands of times a second. Imports nothing of Soko (stdlib, SQLAlchemy, redis).

(What each piece buys is filled in from `python -m bench.tricks`.)
"""
