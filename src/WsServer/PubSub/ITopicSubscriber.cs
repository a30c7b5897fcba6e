namespace WsServer.PubSub;

/// <summary>What topics need of a subscriber (a connection): to be sent a message, posted a notice, and
/// subscribed. Topics sit below connections and know them only by this.</summary>
internal interface ITopicSubscriber
{
    /// <summary>The connection's id: unique on this server.</summary>
    long Id { get; }

    /// <summary>Queues <paramref name="message"/>; false when it was not (the queue full, or the connection closing).</summary>
    bool Deliver(PreparedMessage message);

    /// <summary>Posts <paramref name="item"/> to the subscriber's mailbox; false once it has ended.</summary>
    bool Post(object? item);

    /// <summary>Subscribes to <paramref name="topic"/> (see <see cref="TopicRegistry.Subscribe"/>); false when it
    /// already was, or has ended.</summary>
    bool Subscribe(string topic, out Task ready);
}
