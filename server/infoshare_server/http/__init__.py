"""TAXII 2.1 HTTP plumbing of the node: media types, error bodies, request checks, bodies.

A leaf package: it knows HTTP, Flask, medallion and TAXII 2.1, and nothing of
the node around it (no access rules, no storage, no configuration), so every
other module may import it and it imports none of them.
"""
