using System.Globalization;
using System.Text;

namespace WsServer.LoadTest.Scenarios;

/// <summary>JSON-like text messages of an exact size, as an API would send them: an envelope and an array of
/// records whose keys repeat and whose values vary (ids, prices, timestamps, names), ASCII only. Seeded, so
/// every run and both servers get the same messages.</summary>
internal static class JsonMessages
{
    private static readonly string[] Words = ["alpha", "bravo", "delta", "north", "south", "widget", "gadget", "blue",
        "green", "large", "small", "order", "ticket", "review", "express", "standard"];

    /// <summary><paramref name="count"/> different messages of exactly <paramref name="size"/> bytes each.</summary>
    public static byte[][] Create(int count, int size, int seed = 12) =>
        [.. Enumerable.Range(0, count).Select(i => Create(size, new Random(seed + i), i))];

    private static byte[] Create(int size, Random random, int sequence)
    {
        var json = new StringBuilder(size + 256);
        json.Append(CultureInfo.InvariantCulture,
            $"{{\"type\":\"orders.updated\",\"seq\":{100_000 + sequence * 7919},\"ts\":\"2026-12-02T10:{random.Next(60):00}:{random.Next(60):00}.{random.Next(1000):000}Z\",\"orders\":[");
        const string tail = "],\"note\":\"\"}";
        for (int item = 0; ; item++)
        {
            string record = (item == 0 ? "" : ",") + Record(random);
            if (json.Length + record.Length + tail.Length > size) break;
            json.Append(record);
        }
        json.Append("],\"note\":\"");
        // The note pads the message to its exact size with words, then letters.
        int room = size - json.Length - 2;
        var note = new StringBuilder(room);
        while (note.Length < room) note.Append(Words[random.Next(Words.Length)]).Append(' ');
        json.Append(note.ToString(0, room)).Append("\"}");
        byte[] bytes = Encoding.ASCII.GetBytes(json.ToString());
        return bytes.Length == size ? bytes : throw new InvalidOperationException($"JSON of {bytes.Length} bytes, not {size}.");
    }

    private static string Record(Random random) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"id\":{random.Next(1_000_000, 9_999_999)},\"sku\":\"{(char)('A' + random.Next(26))}-{random.Next(10_000):0000}\","
        + $"\"name\":\"{Words[random.Next(Words.Length)]} {Words[random.Next(Words.Length)]}\",\"price\":{random.Next(100, 99_999) / 100.0:0.00},"
        + $"\"qty\":{random.Next(1, 20)},\"status\":\"{(random.Next(3) == 0 ? "shipped" : "pending")}\",\"express\":{(random.Next(2) == 0 ? "true" : "false")}}}");
}
