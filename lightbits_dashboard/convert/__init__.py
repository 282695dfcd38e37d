"""Make an image fast-clonable: a raw/bare copy on Lightbits whose image volume
is a block clone (route A2 of the clone-and-convert facts).

A temporary volume from the image in the store's volume type (Cinder's
download + convert), then ``os-volume_upload_image`` as raw/bare (Cinder's
backend upload: the new image's volume is a clone of the temporary volume,
no bytes through Glance), then the temporary volume is deleted.

Plain Python: the logic returns codes and parameters, the panels say them.
The cloud is an injected operations object (``engine.CloudOps``).
"""
