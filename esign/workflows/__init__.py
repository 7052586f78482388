"""The service's workflows: plain functions over a database session.

The HTTP API, the web pages, the CLI and the tests call the same functions. Each checks the
actor's role itself, writes its audit entry in the same transaction as its change, and raises
an :class:`esign.errors.EsignError` for input it refuses.
"""
