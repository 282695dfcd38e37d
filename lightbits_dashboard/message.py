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

"""A user-visible message as a code with parameters (plain Python).

The logic modules cannot call gettext (they import no Django), so they say
what happened as a ``Message``: a code and its parameters. The panels turn
it into text in the user's language through their code -> gettext_lazy map
(``dashboards/project/lightbits_images/texts.py``). Parameters are data
(names, ids, numbers, the clouds' own words) or nested Messages (or lists
of them). ``to_data``/``from_data`` give a JSON form for Cinder metadata.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    code: str
    params: dict = field(default_factory=dict)

    def to_data(self):
        """JSON-able form: {"c": code, "p": {name: value}} ("p" left out when empty)."""
        data = {"c": self.code}
        if self.params:
            data["p"] = {k: _to_data(v) for k, v in self.params.items()}
        return data

    @classmethod
    def from_data(cls, data):
        """The Message of ``to_data``'s form, or None when ``data`` is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        params = data.get("p") or {}
        if not isinstance(params, dict):
            return None
        return cls(data["c"], {k: _from_data(v) for k, v in params.items()})


def msg(code, **params):
    return Message(code, params)


def _to_data(value):
    if isinstance(value, Message):
        return value.to_data()
    if isinstance(value, (list, tuple)):
        return [_to_data(v) for v in value]
    return value


def _from_data(value):
    if isinstance(value, dict):
        return Message.from_data(value)
    if isinstance(value, list):
        return [_from_data(v) for v in value]
    return value
