"""General Bots BASIC: parser, compiler, VM, keyword registry and built-in functions.

This package imports nothing from Django or from the apps; the apps extend it by registering
keyword specs.
"""
