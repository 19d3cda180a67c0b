"""websocket-out: send messages as WebSocket frames."""

from __future__ import annotations

from typing import Any

from flowrt.api import Confirmation, Message, Sink, SinkConfig

from .websocket_endpoint import EndpointConfig, endpoint_of
from .websocket_frames import message_to_frame
from .websocket_listener import WebsocketListener


class WebsocketOut(Sink):
    """Send each message as a WebSocket frame.

    ### Inputs

    - `payload`: what to send. Text as a text frame, bytes as a binary frame, objects and
      lists as JSON text, numbers and booleans as their text (`21.5`, `true`). A message with
      no payload, or an empty text, sends nothing (as in Node-RED). With the connection's
      `whole_message`, the whole message is sent as JSON text (without `_session`).
    - `_session` (`{type: "websocket", id}`): on a listener, the one client to send to (the
      client a websocket-in message came from); without it the message goes to every client
      connected.

    ### Details

    On a listener, a message for a client that has left (or whose `_session` came from
    another connection) is not sent, with a warning, as in Node-RED (silently there). On a
    client connection, a message that still carries a `_session` is a reply meant for a
    listener's client and is not sent either, with a warning, as in Node-RED (which drops it
    silently): remove `msg._session` to send it to the server. This also keeps a flow that
    passes frames from one connection to another from echoing them back and forth.

    While a client connection is away, messages wait in this node's buffer and are sent once
    it is back; when `buffer` messages wait, `overflow` decides: `block` (the default) pauses
    the flow's sources, `drop-oldest` or `drop-newest` fails a message with an error that
    catch nodes see. A frame is sent once the connection has taken it: the server is not
    asked to confirm it.

    ```yaml
    reply:
      type: websocket-out
      listener: chat
    ```
    """

    type = "websocket-out"
    icon = "plug"

    class Config(SinkConfig, EndpointConfig):
        pass

    config: Config

    @classmethod
    def confirms(cls, config: Any) -> Confirmation:
        return Confirmation(
            False,
            reason="a WebSocket frame is not acknowledged by the peer: it is sent once the "
            "connection has taken it",
            fix="Acknowledge in the protocol spoken over the WebSocket, or accept at-most-once",
        )

    async def start(self) -> None:
        self._endpoint = endpoint_of(self.ctx, self.config)
        self._endpoint.attach(self.id, self.ctx.status, inbox=False)

    async def write(self, batch: list[Message]) -> None:
        endpoint = self._endpoint
        whole = endpoint.config.whole_message
        for msg in batch:
            frame = message_to_frame(msg, whole)
            if frame is None:
                continue
            session = msg.get("_session")
            session_id = None
            if isinstance(session, dict) and session.get("type") == "websocket":
                session_id = str(session.get("id"))
            if isinstance(endpoint, WebsocketListener):
                if not await endpoint.send(frame, session_id):
                    self.ctx.warn(f"client {session_id} of msg._session is not connected to "
                                  "this listener (it left, or the session is another "
                                  "connection's): the message was not sent; remove "
                                  "msg._session to send it to every client", msg)
            elif session_id is not None:
                self.ctx.warn("msg._session names a WebSocket session, so the message is a "
                              "reply to a listener's client and is not sent over this client "
                              "connection (as in Node-RED); remove msg._session to send it",
                              msg)
            else:
                await endpoint.send(frame)

    async def stop(self) -> None:
        await self._endpoint.detach(self.id)
