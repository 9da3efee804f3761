"""The app's screens, one per area (their order and keys: ``workbench.ui.places``)."""
