"""Compositions: which components a stack builds and how they are wired."""
