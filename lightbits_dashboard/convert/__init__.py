#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""Make an image fast-clonable: a raw/bare copy on Lightbits whose image volume
is a block clone (a Cinder volume from the image, then upload-to-image with
Cinder's backend).

A temporary volume from the image in the store's volume type (Cinder's
download + convert), then ``os-volume_upload_image`` as raw/bare (Cinder's
backend upload: the new image's volume is a clone of the temporary volume,
no bytes through Glance), then the temporary volume is deleted.

Plain Python: the logic returns codes and parameters, the panels say them.
The cloud is an injected operations object (``engine.CloudOps``).
"""
