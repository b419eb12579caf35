<p>Hola</p>
