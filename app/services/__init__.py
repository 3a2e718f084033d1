"""Use cases: they own transactions, check permissions and raise domain errors.

Nothing here reads the request or renders; views call services with the acting user.
"""
