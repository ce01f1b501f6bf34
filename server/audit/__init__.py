"""The append-only, hash-chained audit record of every generation (one JSON line each).

record.py: the line's fields, canonical JSON, hashes, the keyed customer reference;
context.py: the request's draft that the generation code fills; log.py: the file (append
under locks, query); verify.py: the chain check behind `arserve audit verify`."""
