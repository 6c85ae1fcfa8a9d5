"""CLI command groups. Each module has ``register(app)``; kg/cli.py calls them all.

Modules import heavy libraries inside the command functions, never at module level,
so that ``kg --help`` and cold query commands stay fast.
"""
