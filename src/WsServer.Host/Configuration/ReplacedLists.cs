using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace WsServer.Host.Configuration;

/// <summary>A configuration source with some sections hidden: the lists the command line gives, so that
/// <c>--route</c> replaces the config file's routes instead of adding to them (configuration merges
/// sections across sources key by key).</summary>
internal sealed class ReplacedLists(IConfigurationSource source, IReadOnlyCollection<string> hidden) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(source.Build(builder), hidden);

    private sealed class Provider(IConfigurationProvider inner, IReadOnlyCollection<string> hidden) : IConfigurationProvider
    {
        public bool TryGet(string key, out string? value)
        {
            value = null;
            return !IsHidden(key) && inner.TryGet(key, out value);
        }

        public void Set(string key, string? value) => inner.Set(key, value);

        public IChangeToken GetReloadToken() => inner.GetReloadToken();

        public void Load() => inner.Load();

        // The earlier sources are hidden alike, so what they found is kept as it is.
        public IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath) =>
            parentPath is not null && IsHidden(parentPath)
                ? earlierKeys
                : inner.GetChildKeys(earlierKeys, parentPath).Where(k => parentPath is not null || !IsHidden(k));

        private bool IsHidden(string key) => hidden.Any(h =>
            key.Equals(h, StringComparison.OrdinalIgnoreCase) || key.StartsWith(h + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase));
    }
}
