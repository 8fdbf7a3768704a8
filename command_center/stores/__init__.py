"""The stores: every read and write on the database, each with the rules it checks."""
