"""The Streamlit dashboard: one module per tab, the data it loads through the tracker, its charts and text."""
