
namespace WsServer.PubSub;

/// <summary>
/// This server's side of presence: which of its connections are in which topic's presence (with their
/// info), and which watch a topic's joins and leaves. A change is posted to the local watchers at once and
/// handed to the shared store, if the server has one, for the other servers' watchers and for listing.
/// </summary>
internal sealed class TopicPresence
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<ITopicSubscriber, string>> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<ITopicSubscriber>> _watchers = new(StringComparer.Ordinal);
    // What each connection is in, to forget it at its end without visiting every topic.
    private readonly Dictionary<ITopicSubscriber, HashSet<string>> _joined = [];
    private readonly Dictionary<ITopicSubscriber, HashSet<string>> _watching = [];
    private IPresenceStore? _shared;

    public void UseShared(IPresenceStore? store) => Volatile.Write(ref _shared, store);

    /// <summary>Puts <paramref name="connection"/> in <paramref name="topic"/>'s presence with
    /// <paramref name="info"/> (a second join replaces the info).</summary>
    public void Join(string topic, ITopicSubscriber connection, string info)
    {
        PresenceMember member;
        lock (_gate)
        {
            Members(topic)[connection] = info;
            Index(_joined, connection).Add(topic);
            member = Member(connection, info);
        }
        Notify(new PresenceChange(topic, member, Joined: true), except: connection);
        Volatile.Read(ref _shared)?.Joined(topic, member);
    }

    /// <summary>Takes <paramref name="connection"/> out of <paramref name="topic"/>'s presence; false when it was not in.</summary>
    public bool Leave(string topic, ITopicSubscriber connection)
    {
        PresenceMember member;
        lock (_gate)
        {
            if (!_members.TryGetValue(topic, out Dictionary<ITopicSubscriber, string>? members)
                || !members.Remove(connection, out string? info)) return false;
            if (members.Count == 0) _members.Remove(topic);
            Unindex(_joined, connection, topic);
            member = Member(connection, info);
        }
        Notify(new PresenceChange(topic, member, Joined: false), except: connection);
        Volatile.Read(ref _shared)?.Left(topic, member);
        return true;
    }

    /// <summary>Posts <paramref name="topic"/>'s joins and leaves to <paramref name="connection"/>'s mailbox.</summary>
    public bool Watch(string topic, ITopicSubscriber connection)
    {
        lock (_gate)
        {
            if (!(_watchers.TryGetValue(topic, out HashSet<ITopicSubscriber>? watchers) ? watchers : _watchers[topic] = []).Add(connection))
                return false;
            Index(_watching, connection).Add(topic);
            return true;
        }
    }

    /// <summary>The connection has ended: it leaves every presence and stops watching.</summary>
    public void Forget(ITopicSubscriber connection)
    {
        string[] joined;
        lock (_gate)
        {
            joined = _joined.TryGetValue(connection, out HashSet<string>? topics) ? [.. topics] : [];
            if (_watching.Remove(connection, out HashSet<string>? watched))
            {
                foreach (string topic in watched)
                {
                    _watchers[topic].Remove(connection);
                    if (_watchers[topic].Count == 0) _watchers.Remove(topic);
                }
            }
        }
        foreach (string topic in joined) Leave(topic, connection);
    }

    /// <summary>Posts <paramref name="change"/> to <paramref name="change"/>'s topic's watchers here but
    /// <paramref name="except"/> (the member itself).</summary>
    public void Notify(PresenceChange change, ITopicSubscriber? except = null)
    {
        ITopicSubscriber[] watchers;
        lock (_gate) watchers = _watchers.TryGetValue(change.Topic, out HashSet<ITopicSubscriber>? set) ? [.. set] : [];
        foreach (ITopicSubscriber watcher in watchers)
        {
            if (watcher != except) watcher.Post(change);
        }
    }

    /// <summary>Every member of <paramref name="topic"/>'s presence: on every server with a shared store,
    /// else this server's.</summary>
    public ValueTask<IReadOnlyList<PresenceMember>> ListAsync(string topic, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _shared) is { } shared) return shared.ListAsync(topic, cancellationToken);
        lock (_gate)
        {
            IReadOnlyList<PresenceMember> local = _members.TryGetValue(topic, out Dictionary<ITopicSubscriber, string>? members)
                ? [.. members.Select(m => Member(m.Key, m.Value))]
                : [];
            return new(local);
        }
    }

    private PresenceMember Member(ITopicSubscriber connection, string info) =>
        new(Volatile.Read(ref _shared)?.NodeId ?? "", connection.Id, info);

    private Dictionary<ITopicSubscriber, string> Members(string topic) =>
        _members.TryGetValue(topic, out Dictionary<ITopicSubscriber, string>? members) ? members : _members[topic] = [];

    private static HashSet<string> Index(Dictionary<ITopicSubscriber, HashSet<string>> index, ITopicSubscriber connection) =>
        index.TryGetValue(connection, out HashSet<string>? topics) ? topics : index[connection] = new(StringComparer.Ordinal);

    private static void Unindex(Dictionary<ITopicSubscriber, HashSet<string>> index, ITopicSubscriber connection, string topic)
    {
        if (index.TryGetValue(connection, out HashSet<string>? topics) && topics.Remove(topic) && topics.Count == 0) index.Remove(connection);
    }
}
