using Mono.Cecil;
using Mono.Cecil.Cil;

namespace WxQms.Tests.Architecture;

/// <summary>
/// What each type of a compiled assembly refers to, read from its metadata and IL with Mono.Cecil: the types in its
/// signatures, attributes and locals, and every type, method and field its method bodies name. Compiler-made types
/// (lambdas' closures, async state machines) count as the type whose code they hold.
/// </summary>
public static class AssemblyReferences
{
    /// <summary>One reference: <see cref="From"/> (a type of ours, outermost) names <see cref="Namespace"/>.<see cref="Type"/>,
    /// and <see cref="Member"/> of it when a method or field is used.</summary>
    public sealed record Reference(string From, string FromNamespace, string Namespace, string Type, string? Member)
    {
        public override string ToString() => $"{From} → {Namespace}.{Type}{(Member is null ? "" : "::" + Member)}";
    }

    public static IReadOnlyList<Reference> Of(System.Reflection.Assembly assembly)
    {
        using var module = ModuleDefinition.ReadModule(assembly.Location);
        return module.GetTypes().Where(t => t.Name != "<Module>").SelectMany(Of).Distinct().ToList();
    }

    private static IEnumerable<Reference> Of(TypeDefinition type)
    {
        var from = Outermost(type);
        var refs = new List<(TypeReference Type, string? Member)>();
        void Add(TypeReference? t, string? member = null)
        {
            if (t is not null)
                refs.Add((t, member));
        }

        Add(type.BaseType);
        foreach (var i in type.Interfaces)
            Add(i.InterfaceType);
        Attributes(type, Add);
        foreach (var f in type.Fields)
        {
            Add(f.FieldType);
            Attributes(f, Add);
        }
        foreach (var p in type.Properties)
            Add(p.PropertyType);
        foreach (var m in type.Methods)
        {
            Add(m.ReturnType);
            Attributes(m, Add);
            foreach (var p in m.Parameters)
                Add(p.ParameterType);
            if (!m.HasBody)
                continue;
            foreach (var v in m.Body.Variables)
                Add(v.VariableType);
            foreach (var op in m.Body.Instructions.Select(i => i.Operand))
            {
                switch (op)
                {
                    case TypeReference t:
                        Add(t);
                        break;
                    case MethodReference mr:
                        Add(mr.DeclaringType, mr.Name);
                        Add(mr.ReturnType);
                        foreach (var p in mr.Parameters)
                            Add(p.ParameterType);
                        if (mr is GenericInstanceMethod g)
                            foreach (var a in g.GenericArguments)
                                Add(a);
                        break;
                    case FieldReference fr:
                        Add(fr.DeclaringType, fr.Name);
                        Add(fr.FieldType);
                        break;
                }
            }
        }

        return refs.SelectMany(r => Expand(r.Type).Select((t, i) => (t, member: i == 0 ? r.Member : null)))
            .Select(r => new Reference(from.FullName, from.Namespace, Outermost(r.t).Namespace, Name(r.t), r.member));
    }

    private static void Attributes(ICustomAttributeProvider owner, Action<TypeReference?, string?> add)
    {
        foreach (var a in owner.CustomAttributes)
            add(a.AttributeType, null);
    }

    /// <summary>A generic instance, array or by-ref type and the types it is made of; generic parameters name nothing.</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference t) => t switch
    {
        GenericParameter => [],
        GenericInstanceType g => Expand(g.ElementType).Concat(g.GenericArguments.SelectMany(Expand)),
        TypeSpecification s => Expand(s.ElementType),
        _ => [t],
    };

    private static TypeReference Outermost(TypeReference t)
    {
        while (t.DeclaringType is not null)
            t = t.DeclaringType;
        return t;
    }

    private static string Name(TypeReference t) => t.DeclaringType is null ? t.Name : Name(t.DeclaringType) + "/" + t.Name;

    /// <summary>Whether <paramref name="ns"/> is <paramref name="root"/> or inside it.</summary>
    public static bool In(this string ns, string root) =>
        ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);
}
