"""The web app: server-rendered pages for clinicians and patients, and the JSON API (`bedside serve`)."""
