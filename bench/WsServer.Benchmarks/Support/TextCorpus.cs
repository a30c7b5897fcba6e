using System.Text;

namespace WsServer.Benchmarks.Support;

/// <summary>The text corpora of the UTF-8 benchmarks: all-ASCII, and Japanese (3-byte characters
/// with some ASCII punctuation), as in cowboy's ws_perf_SUITE.</summary>
public enum Corpus
{
    Ascii,
    Japanese,
}

/// <summary>Builds valid UTF-8 of an exact size from a corpus.</summary>
public static class TextCorpus
{
    private const string AsciiText =
        "The quick brown fox jumps over the lazy dog. {\"id\": 42, \"name\": \"websocket\", \"ok\": true} ";

    private const string JapaneseText =
        "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。";

    /// <summary>Exactly <paramref name="size"/> bytes of valid UTF-8: the corpus repeated, cut at a
    /// character boundary, then padded with spaces.</summary>
    public static byte[] Build(Corpus corpus, int size)
    {
        byte[] unit = Encoding.UTF8.GetBytes(corpus == Corpus.Ascii ? AsciiText : JapaneseText);
        byte[] text = new byte[size];
        int length = 0;
        while (length + unit.Length <= size)
        {
            unit.CopyTo(text, length);
            length += unit.Length;
        }

        // Fill the rest with whole characters of the unit, then spaces.
        int next = 0;
        while (length < size)
        {
            int charLength = Utf8Length(unit[next]);
            if (length + charLength > size)
                break;
            unit.AsSpan(next, charLength).CopyTo(text.AsSpan(length));
            length += charLength;
            next += charLength;
        }

        text.AsSpan(length).Fill((byte)' ');
        return text;
    }

    private static int Utf8Length(byte lead) => lead switch { < 0x80 => 1, < 0xE0 => 2, < 0xF0 => 3, _ => 4 };
}
