namespace AspNetCoreSample;

/// <summary>A page to chat from: it connects to /chat on the same origin (wss:// when the page came over https://).</summary>
internal static class ChatPage
{
    public const string Html = """
        <!doctype html>
        <html lang="en"><meta charset="utf-8"><title>WsServer chat</title>
        <style>body{font:15px system-ui;margin:2em;max-width:40em}#log{white-space:pre-wrap;border:1px solid #ccc;padding:.5em;height:20em;overflow:auto}</style>
        <h1>Chat</h1>
        <div id="log"></div>
        <form id="say"><input id="text" autocomplete="off" size="50" placeholder="say something"> <button>Send</button></form>
        <script>
        const log = document.getElementById("log");
        const name = new URLSearchParams(location.search).get("name") || "";
        const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/chat?name=${encodeURIComponent(name)}`);
        const show = (line) => { log.textContent += line + "\n"; log.scrollTop = log.scrollHeight; };
        ws.onmessage = (e) => show(e.data);
        ws.onclose = (e) => show(`(closed: ${e.code} ${e.reason})`);
        document.getElementById("say").onsubmit = (e) => {
          e.preventDefault();
          const text = document.getElementById("text");
          if (text.value) ws.send(text.value);
          text.value = "";
        };
        </script>
        </html>
        """;
}
