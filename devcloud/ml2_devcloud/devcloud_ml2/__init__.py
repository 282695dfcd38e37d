"""ML2 mechanism driver of the local cloud (never shipped with the plugin)."""
