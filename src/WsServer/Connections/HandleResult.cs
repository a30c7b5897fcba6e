using WsServer.Protocol.Closing;

namespace WsServer.Connections;

/// <summary>What a handler asks the connection to do.</summary>
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

/// <summary>
/// One of the seed's results, without a state: what a stateless handler (<see cref="IWebSocketHandler"/>,
/// a delegate route) returns, and what <see cref="HandleResult{TState}"/> carries beside its state.
/// Every argument is checked here, at the call, so a bad result never reaches the wire. A struct:
/// returning one allocates nothing. Its properties let a unit test inspect what a handler answered.
/// </summary>
/// <remarks>The factories with a state come first in their argument lists everywhere
/// (<c>Reply(state, data)</c>, <c>Close(state, code)</c>); <c>Close()</c> without a code closes
/// with 1000, as <see cref="Connections.WebSocketConnection.Close"/> does.</remarks>
public readonly struct HandleResult
{
    private HandleResult(HandleAction action, bool isText = false, string? text = null,
        ReadOnlyMemory<byte> data = default, CloseCode? closeCode = null, string? closeReason = null)
    {
        Action = action;
        IsText = isText;
        Text = text;
        Data = data;
        CloseCode = closeCode;
        CloseReason = closeReason;
    }

    /// <summary>What to do.</summary>
    public HandleAction Action { get; }

    /// <summary>True when a reply is a text message.</summary>
    public bool IsText { get; }

    /// <summary>A text reply given as a string; null when given as bytes.</summary>
    public string? Text { get; }

    /// <summary>A reply's bytes (UTF-8 for text given as bytes), or a ping's or pong's data.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The close code of a close; null sends a close frame without a status.</summary>
    public CloseCode? CloseCode { get; }

    /// <summary>The close reason of a close; null for none.</summary>
    public string? CloseReason { get; }

    /// <summary>This result with a state, for a stateful handler.</summary>
    public HandleResult<TState> With<TState>(TState state) => new(state, this);

    /// <summary>Send nothing.</summary>
    public static HandleResult NoReply() => default;

    /// <summary>Reply with a text message.</summary>
    public static HandleResult Reply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(HandleAction.Reply, isText: true, text: text);
    }

    /// <summary>Reply with a binary message. The bytes must stay unchanged until the call returns.</summary>
    public static HandleResult Reply(ReadOnlyMemory<byte> data) => new(HandleAction.Reply, data: data);

    /// <summary>Reply with a message of the same kind and bytes as <paramref name="message"/> (an echo).</summary>
    public static HandleResult Reply(WebSocketMessage message) =>
        new(HandleAction.Reply, isText: message.IsText, data: message.Payload);

    /// <summary>Reply with a text message given as UTF-8 bytes (not re-validated: they must be UTF-8).</summary>
    public static HandleResult ReplyText(ReadOnlyMemory<byte> utf8) => new(HandleAction.Reply, isText: true, data: utf8);

    /// <summary>Send a ping with up to 125 bytes of data.</summary>
    /// <exception cref="ArgumentException">More than 125 bytes (RFC 6455 §5.5).</exception>
    public static HandleResult Ping(ReadOnlyMemory<byte> data = default) => new(HandleAction.Ping, data: CheckControl(data));

    /// <summary>Send an unsolicited pong (a heartbeat, RFC 6455 §5.5.3) with up to 125 bytes of data.</summary>
    /// <exception cref="ArgumentException">More than 125 bytes (RFC 6455 §5.5).</exception>
    public static HandleResult Pong(ReadOnlyMemory<byte> data = default) => new(HandleAction.Pong, data: CheckControl(data));

    /// <summary>Send a ping with up to 125 bytes of data.</summary>
    /// <remarks>An exact overload, so a byte array is never taken for the state of the generic overload.</remarks>
    /// <exception cref="ArgumentException">More than 125 bytes (RFC 6455 §5.5).</exception>
    public static HandleResult Ping(byte[] data) => Ping(new ReadOnlyMemory<byte>(data));

    /// <summary>Send an unsolicited pong with up to 125 bytes of data.</summary>
    /// <exception cref="ArgumentException">More than 125 bytes (RFC 6455 §5.5).</exception>
    public static HandleResult Pong(byte[] data) => Pong(new ReadOnlyMemory<byte>(data));

    /// <summary>Start the closing handshake with <paramref name="code"/>.</summary>
    /// <remarks>An exact overload, so a close code is never taken for the state of the generic overload.</remarks>
    /// <exception cref="ArgumentException">The code may not be sent on the wire.</exception>
    public static HandleResult Close(CloseCode code) => Close((CloseCode?)code, null);

    /// <summary>Start the closing handshake with <paramref name="code"/> and <paramref name="reason"/>.</summary>
    /// <exception cref="ArgumentException">The code may not be sent on the wire.</exception>
    public static HandleResult Close(CloseCode code, string? reason) => Close((CloseCode?)code, reason);

    /// <summary>Start the closing handshake with <paramref name="code"/> (1000 unless given; null sends
    /// a close frame without a status, the seed's <c>{close, S}</c>) and an optional reason.</summary>
    /// <remarks>A reason over 123 bytes of UTF-8 is cut at a character boundary.</remarks>
    /// <exception cref="ArgumentException">The code may not be sent on the wire, or a reason was given
    /// without a code.</exception>
    public static HandleResult Close(CloseCode? code = Protocol.Closing.CloseCode.NormalClosure, string? reason = null)
    {
        CheckClose(code, reason);
        return new(HandleAction.Close, closeCode: code, closeReason: reason);
    }

    /// <summary>Send nothing and keep <paramref name="state"/>.</summary>
    public static HandleResult<TState> NoReply<TState>(TState state) => new(state, default);

    /// <summary>Reply with a text message and go on with <paramref name="state"/>.</summary>
    public static HandleResult<TState> Reply<TState>(TState state, string text) => new(state, Reply(text));

    /// <summary>Reply with a binary message and go on with <paramref name="state"/>.</summary>
    public static HandleResult<TState> Reply<TState>(TState state, ReadOnlyMemory<byte> data) => new(state, Reply(data));

    /// <summary>Echo <paramref name="message"/> and go on with <paramref name="state"/>.</summary>
    public static HandleResult<TState> Reply<TState>(TState state, WebSocketMessage message) => new(state, Reply(message));

    /// <summary>Reply with UTF-8 text given as bytes and go on with <paramref name="state"/>.</summary>
    public static HandleResult<TState> ReplyText<TState>(TState state, ReadOnlyMemory<byte> utf8) => new(state, ReplyText(utf8));

    /// <summary>Send a ping and go on with <paramref name="state"/>.</summary>
    public static HandleResult<TState> Ping<TState>(TState state, ReadOnlyMemory<byte> data = default) => new(state, Ping(data));

    /// <summary>Send a pong and go on with <paramref name="state"/>.</summary>
    public static HandleResult<TState> Pong<TState>(TState state, ReadOnlyMemory<byte> data = default) => new(state, Pong(data));

    /// <summary>Close (1000 unless given) with <paramref name="state"/> as the last state.</summary>
    public static HandleResult<TState> Close<TState>(TState state, CloseCode? code = Protocol.Closing.CloseCode.NormalClosure,
        string? reason = null) => new(state, Close(code, reason));

    private static ReadOnlyMemory<byte> CheckControl(ReadOnlyMemory<byte> data)
    {
        ThrowIfControlPayloadTooLong(data.Length, nameof(data));
        return data;
    }

    /// <summary>The one check of a ping's or pong's size, for results and for direct sends alike.</summary>
    internal static void ThrowIfControlPayloadTooLong(int length, string paramName)
    {
        // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
        if (length > ClosePayload.MaxLength)
            throw new ArgumentException("A ping or pong carries at most 125 bytes.", paramName);
    }

    private static void CheckClose(CloseCode? code, string? reason)
    {
        if (code is null && !string.IsNullOrEmpty(reason))
            throw new ArgumentException("A close reason needs a close code (RFC 6455 §5.5.1).", nameof(reason));
        if (code is { } value && !ClosePayload.IsSendable((ushort)value))
            throw new ArgumentException($"Close code {(ushort)value} may not be sent on the wire.", nameof(code));
    }
}

/// <summary>A <see cref="HandleResult"/> with the state for the next call, for a stateful handler;
/// build it with the factories on <see cref="HandleResult"/> (state first) or with <see cref="HandleResult.With"/>.</summary>
public readonly struct HandleResult<TState>
{
    internal HandleResult(TState state, HandleResult result)
    {
        State = state;
        Result = result;
    }

    /// <summary>The state for the next call.</summary>
    public TState State { get; }

    /// <summary>What to do.</summary>
    public HandleResult Result { get; }

    /// <summary>Shorthand for <c>Result.Action</c>.</summary>
    public HandleAction Action => Result.Action;
}
