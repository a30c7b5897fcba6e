using System.Text.Unicode;

namespace WsServer.Protocol.Messages;

/// <summary>An incremental UTF-8 validator: feed a text message chunk by chunk, in any split, and it
/// fails at the first chunk holding a byte that no continuation could make valid.</summary>
/// <remarks>
/// RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte
/// stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket
/// Connection_." §5.6: "a particular text frame might include a partial UTF-8 sequence; however,
/// the whole message MUST contain valid UTF-8."
/// <para>
/// The state between chunks is the character in progress: how many continuation bytes it still
/// needs and the range the next one must fall in. That range encodes every rule of the
/// well-formed byte sequences of Unicode §3.9 (table 3-7, RFC 3629 §4): after <c>E0</c> the next
/// byte is <c>A0-BF</c> (no overlongs), after <c>ED</c> it is <c>80-9F</c> (no surrogates), after
/// <c>F0</c> <c>90-BF</c>, after <c>F4</c> <c>80-8F</c> (nothing above U+10FFFF); <c>C0</c>,
/// <c>C1</c> and <c>F5-FF</c> never start a character. A chunk is checked in three steps: the bytes
/// finishing the previous chunk's character go through that state machine; the run of whole
/// characters after them goes to the vectorized <see cref="Utf8.IsValid"/>; the last 1-3 bytes of a
/// character cut by the chunk's end go through the state machine again, so a sequence that can
/// no longer become valid (<c>F4 90</c>) fails now rather than when the next chunk arrives.
/// </para>
/// </remarks>
public struct Utf8Validator
{
    private byte _pending;
    private byte _lower;
    private byte _upper;
    private bool _invalid;

    /// <summary>True once a chunk made the text invalid; stays true until <see cref="Reset"/>.</summary>
    public readonly bool IsInvalid => _invalid;

    /// <summary>True when the bytes so far are valid and end between characters (no character is cut).</summary>
    public readonly bool IsAtCharacterBoundary => !_invalid && _pending == 0;

    /// <summary>Validates the next chunk of the text.</summary>
    /// <returns>False when the text so far cannot be the start of valid UTF-8, whatever follows.</returns>
    public bool TryAppend(ReadOnlySpan<byte> chunk)
    {
        if (_invalid)
            return false;

        int i = 0;
        while (_pending != 0 && i < chunk.Length)
        {
            if (!Step(chunk[i++]))
                return Invalidate();
        }

        ReadOnlySpan<byte> rest = chunk[i..];
        int whole = WholeCharactersLength(rest);
        if (!Utf8.IsValid(rest[..whole]))
            return Invalidate();

        foreach (byte b in rest[whole..])
        {
            if (!Step(b))
                return Invalidate();
        }

        return true;
    }

    /// <summary>Ends the text: fails when it ended inside a character (or was already invalid).</summary>
    /// <returns>True when all the chunks together are valid UTF-8.</returns>
    public bool TryComplete()
    {
        if (_pending != 0)
            _invalid = true;
        return !_invalid;
    }

    /// <summary>Forgets everything, to validate a new text.</summary>
    public void Reset() => this = default;

    private bool Invalidate()
    {
        _invalid = true;
        return false;
    }

    /// <summary>One byte through the state machine; false when it cannot continue valid UTF-8.</summary>
    private bool Step(byte b)
    {
        if (_pending != 0)
        {
            if (b < _lower || b > _upper)
                return false;
            _pending--;
            _lower = 0x80;
            _upper = 0xBF;
            return true;
        }

        (_pending, _lower, _upper) = b switch
        {
            < 0x80 => ((byte)0, (byte)0, (byte)0),
            >= 0xC2 and <= 0xDF => ((byte)1, (byte)0x80, (byte)0xBF),
            0xE0 => ((byte)2, (byte)0xA0, (byte)0xBF),
            0xED => ((byte)2, (byte)0x80, (byte)0x9F),
            >= 0xE1 and <= 0xEF => ((byte)2, (byte)0x80, (byte)0xBF),
            0xF0 => ((byte)3, (byte)0x90, (byte)0xBF),
            >= 0xF1 and <= 0xF3 => ((byte)3, (byte)0x80, (byte)0xBF),
            0xF4 => ((byte)3, (byte)0x80, (byte)0x8F),
            _ => (byte.MaxValue, (byte)0, (byte)0),
        };
        if (_pending == byte.MaxValue)
        {
            _pending = 0;
            return false;
        }

        return true;
    }

    /// <summary>The length of <paramref name="bytes"/> without a last character cut by its end: when
    /// one of the last three bytes starts a sequence longer than what follows it, the prefix ends
    /// before that byte. Anything else (complete, or invalid whatever follows) stays in the prefix.</summary>
    private static int WholeCharactersLength(ReadOnlySpan<byte> bytes)
    {
        for (int j = bytes.Length - 1; j >= 0 && j >= bytes.Length - 3; j--)
        {
            byte b = bytes[j];
            if ((b & 0xC0) == 0x80)
                continue;
            int needed = b switch { >= 0xF0 => 4, >= 0xE0 => 3, >= 0xC0 => 2, _ => 1 };
            return bytes.Length - j < needed ? j : bytes.Length;
        }

        return bytes.Length;
    }
}
