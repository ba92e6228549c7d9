"""Lambda handlers of the upload-api blueprint (packaged as this folder)."""
