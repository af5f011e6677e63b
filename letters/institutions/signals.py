"""Extension points for later concerns, so that this one imports none of them."""

from django.dispatch import Signal

# Sent once the transaction that changed them commits, with `institution_ids`: the email
# domains of these institutions changed, and with them what an address at them proves.
institution_domains_changed = Signal()
