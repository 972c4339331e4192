"""Dispatch (派遣): routes each case to the unit responsible for it."""
