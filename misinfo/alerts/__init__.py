"""Early-warning alerts: rules (`config/alerts.yaml`) evaluated after each collect run, sent once per episode.

- `rules`: the rules file (what fires, which channels get it), validated with pydantic;
- `saved`: analysts' saved searches (owner, filters, the rule they are attached to);
- `evaluate`: what holds now for each rule (a narrative burst, a copy-paste group, new claim matches,
  new saved-search matches), read through the store port;
- `state`: episodes, cool-downs, what was already seen, pending deliveries and the sent-alert log;
- `message` / `channels`: the Vietnamese text, email (the digest's SMTP code) and signed webhooks;
- `check`: the one run the DAG task and `misinfo alerts check` call.
"""
