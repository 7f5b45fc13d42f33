revision = 'x'
def upgrade() -> None:
    pass

def downgrade():
    pass
