"""Test statistics: per security, and across securities/events (see each module)."""
