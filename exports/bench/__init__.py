"""`manage.py bench_export`: measures the real export path (web click, database, broker,
worker processes, SOAP over HTTP to a sandbox with added latency) and, with --faults, drills
crashes and faults. Nothing here is used by the product at run time."""
