"""Accounts: data partners (providers), users, sessions, groups and access rules."""
