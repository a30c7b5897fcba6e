using WsServer.Protocol.Closing;
using WsServer.Protocol.Messages;

namespace WsServer.Handlers;

/// <summary>What <see cref="IWebSocketHandler{TState}.HandleAsync"/> asks the connection to do.</summary>
public enum HandleAction
{
    /// <summary>Send nothing (the seed's <c>{noreply, S}</c>).</summary>
    NoReply,
    /// <summary>Send a text or binary message (<c>{reply, Data, S}</c>).</summary>
    Reply,
    /// <summary>Send a ping (<c>{ping, S}</c>, <c>{ping, Data, S}</c>).</summary>
    Ping,
    /// <summary>Send a pong (<c>{pong, S}</c>, <c>{pong, Data, S}</c>).</summary>
    Pong,
    /// <summary>Start the closing handshake (<c>{close, S}</c>, <c>{close, Status, Payload, S}</c>).</summary>
    Close,
}

/// <summary>One of the seed's eight results with the next state; build it with the factories on
/// <see cref="HandleResult"/>. A struct, so returning one allocates nothing.</summary>
public readonly struct HandleResult<TState>
{
    internal HandleResult(HandleAction action, TState state, ReplyPayload payload = default)
    {
        Action = action;
        State = state;
        Payload = payload;
    }

    /// <summary>What to do.</summary>
    public HandleAction Action { get; }

    /// <summary>The state for the next call.</summary>
    public TState State { get; }

    internal ReplyPayload Payload { get; }
}

/// <summary>The data a result carries: text as a string, or bytes with their kind, or a close status.</summary>
internal readonly record struct ReplyPayload(
    MessageKind Kind, string? Text, ReadOnlyMemory<byte> Bytes, CloseCode? CloseCode = null, string? CloseReason = null);

/// <summary>Factories for <see cref="HandleResult{TState}"/>, so the state's type is inferred.</summary>
public static class HandleResult
{
    /// <summary>Send nothing and keep <paramref name="state"/>.</summary>
    public static HandleResult<TState> NoReply<TState>(TState state) => new(HandleAction.NoReply, state);

    /// <summary>Reply with a text message.</summary>
    public static HandleResult<TState> Reply<TState>(string text, TState state)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(HandleAction.Reply, state, new ReplyPayload(MessageKind.Text, text, default));
    }

    /// <summary>Reply with a binary message. The bytes must stay unchanged until the call returns.</summary>
    public static HandleResult<TState> Reply<TState>(ReadOnlyMemory<byte> data, TState state) =>
        new(HandleAction.Reply, state, new ReplyPayload(MessageKind.Binary, null, data));

    /// <summary>Reply with a text message given as UTF-8 bytes (not re-validated: they must be UTF-8).</summary>
    public static HandleResult<TState> ReplyText<TState>(ReadOnlyMemory<byte> utf8, TState state) =>
        new(HandleAction.Reply, state, new ReplyPayload(MessageKind.Text, null, utf8));

    /// <summary>Reply with a message of the same kind and bytes as <paramref name="message"/> (an echo).</summary>
    public static HandleResult<TState> Reply<TState>(WebSocketMessage message, TState state) =>
        new(HandleAction.Reply, state, new ReplyPayload(
            message.IsText ? MessageKind.Text : MessageKind.Binary, null, message.Payload));

    /// <summary>Send a ping with up to 125 bytes of data.</summary>
    public static HandleResult<TState> Ping<TState>(TState state, ReadOnlyMemory<byte> data = default) =>
        new(HandleAction.Ping, state, new ReplyPayload(MessageKind.Binary, null, data));

    /// <summary>Send an unsolicited pong with up to 125 bytes of data (a heartbeat, RFC 6455 §5.5.3).</summary>
    public static HandleResult<TState> Pong<TState>(TState state, ReadOnlyMemory<byte> data = default) =>
        new(HandleAction.Pong, state, new ReplyPayload(MessageKind.Binary, null, data));

    /// <summary>Close the connection: without a status when <paramref name="code"/> is null (the seed's
    /// <c>{close, S}</c>), else with the status and reason. The peer's close completes the handshake.</summary>
    public static HandleResult<TState> Close<TState>(TState state, CloseCode? code = null, string? reason = null) =>
        new(HandleAction.Close, state, new ReplyPayload(MessageKind.Binary, null, default, code, reason));
}
