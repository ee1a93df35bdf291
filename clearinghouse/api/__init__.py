"""The ECHO message interface: session functions, Perform and its services, and their SOAP binding.

Protocol logic lives here as plain functions; ``clearinghouse.web`` adapts them to Flask routes.
"""
