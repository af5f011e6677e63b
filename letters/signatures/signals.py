"""Extension points for later concerns (curation adds fraud signals on confirmation)
without this concern importing them."""

from django.dispatch import Signal

# Sent inside the confirming transaction with `signature`; receivers may change its state
# through the services (e.g. flag it) before anyone sees it.
signature_confirmed = Signal()

# Sent inside the editing transaction with `signature` and `changed` (the names of the
# fields that changed), after a change of how a signatory appears in public: what was
# checked was the old appearance.
signature_display_changed = Signal()
