"""Payment providers (Stripe and the offline sandbox) and their webhooks."""
