"""The plans layer, above the domain apps: a period's plan for the engine, its scores and the
cached views of them, and import and export of OKR files. It reads every domain app's models;
no domain app imports it."""
