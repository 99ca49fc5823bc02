/**
 * Fails any GraphQL @Query, @Mutation or @Subscription resolver method that
 * neither it nor its class marks with @Roles(...) or @Authenticated(). In an
 * access product an operation that forgot to say who may run it is the
 * likeliest hole; the roles guard refuses such operations at run time too,
 * and this rule catches them before review.
 */
const ENDPOINTS = new Set(['Query', 'Mutation', 'Subscription']);
const DEFAULT_GUARDS = ['Roles', 'Authenticated'];

/** `@X`, `@X()`, `@ns.X()` → 'X'. */
function decoratorName(decorator) {
  let expr = decorator.expression;
  if (expr.type === 'CallExpression') expr = expr.callee;
  if (expr.type === 'Identifier') return expr.name;
  if (expr.type === 'MemberExpression' && expr.property.type === 'Identifier') return expr.property.name;
  return undefined;
}

function keyName(key) {
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'Literal') return String(key.value);
  return '<computed>';
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'require @Roles(...) or @Authenticated() on every GraphQL operation (method or class)' },
    schema: [
      {
        type: 'object',
        properties: { guards: { type: 'array', items: { type: 'string' }, minItems: 1 } },
        additionalProperties: false,
      },
    ],
    messages: {
      missing: "GraphQL @{{kind}} '{{name}}' has no @Roles(...) or @Authenticated() on the method or its class: say who may run it.",
    },
  },
  create(context) {
    const guards = new Set(context.options[0]?.guards ?? DEFAULT_GUARDS);
    const guarded = (decorators) => (decorators ?? []).some((d) => guards.has(decoratorName(d)));
    const check = (node) => {
      const endpoint = (node.decorators ?? []).map(decoratorName).find((n) => ENDPOINTS.has(n));
      if (!endpoint || guarded(node.decorators)) return;
      const cls = node.parent?.parent;
      if (cls && (cls.type === 'ClassDeclaration' || cls.type === 'ClassExpression') && guarded(cls.decorators)) return;
      context.report({ node: node.key, messageId: 'missing', data: { kind: endpoint, name: keyName(node.key) } });
    };
    // Property definitions cover resolvers written as arrow-function fields.
    return { MethodDefinition: check, PropertyDefinition: check };
  },
};

export default rule;
