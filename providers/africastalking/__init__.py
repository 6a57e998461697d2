"""Africa's Talking: USSD, SMS in and out, delivery reports, mobile checkout and its notifications."""
