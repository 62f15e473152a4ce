"""infoshare's TAXII 2.1 node: medallion's protocol views over durable SQL storage.

It imports the library (``infoshare``); the library never imports it
(docs/adr/0003-server-package.md).
"""
