// Server-sent events of the streaming chat endpoint, read from a fetch() body.

/** Call `onEvent(data)` for each `data:` payload of `response`'s SSE body ("[DONE]" as a string). */
export async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (data) onEvent(data === "[DONE]" ? data : JSON.parse(data));
    }
  }
}
