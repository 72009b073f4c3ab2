"""The generator's version, written into every generated file's header."""

GENERATOR_VERSION = "0.1.0"
