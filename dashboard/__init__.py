"""The Streamlit dashboard: `streamlit_app.py` wires login and pages; logic lives in plain modules."""
