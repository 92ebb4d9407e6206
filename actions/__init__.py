"""Rasa custom actions. They run in the Rasa environment (Python 3.10) and never
import torch: everything they know comes from the bot service over HTTP."""
